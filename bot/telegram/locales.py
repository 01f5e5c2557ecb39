"""The bot's own words in the six UN languages, chosen by the user's Telegram language.

Users meet the bot in their own language when it is Arabic, Chinese, English, French, Russian
or Spanish, and in English otherwise. Only the bot's own words are translated: the treaty text
it quotes is always the English authentic text, which `english_text_note` says in each language.

Every text is a `str.format` template. Placeholders are filled with values the caller has
already HTML-escaped; the templates hold no markup characters except deliberate tags, and
`/commands` are never translated because Telegram only knows them in English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")
DEFAULT_LANGUAGE = "en"

# Keys whose texts are inline-keyboard button labels, which should stay short.
BUTTON_KEYS = (
    "button_full_text",
    "button_more",
    "button_previous",
    "button_all_chapters",
    "chapter_button",
)
# Keys whose texts hold no markup at all, so they also fit where `formatting.Block` escapes its
# text (the caller then passes unescaped values): labels, headings and notes in messages.
PLAIN_TEXT_KEYS = (
    *BUTTON_KEYS,
    "source_footer",
    "page_heading",
    "toc_title",
    "toc_hint",
    "about_title",
    "about_intro",
    "about_document",
    "about_checksum",
    "about_built",
    "about_model",
    "english_text_note",
)


def language_of(code: str | None) -> str:
    """The UN language of a Telegram `language_code` ("fr-CA" → "fr"), English for any other."""
    primary = re.split(r"[-_]", (code or "").strip().lower(), maxsplit=1)[0]
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def _french_spacing(text: str) -> str:
    """French typography: no line break may separate a word from ":", ";", "?", "!" or « »."""
    for plain, spaced in (
        (" :", "\N{NO-BREAK SPACE}:"),
        (" ;", "\N{NARROW NO-BREAK SPACE};"),
        (" ?", "\N{NARROW NO-BREAK SPACE}?"),
        (" !", "\N{NARROW NO-BREAK SPACE}!"),
        ("« ", "«\N{NO-BREAK SPACE}"),
        (" »", "\N{NO-BREAK SPACE}»"),
    ):
        text = text.replace(plain, spaced)
    return text


_EN = {
    "start": (
        "<b>Ask the United Nations Convention against Cybercrime</b>\n\n"
        "I answer questions about the Convention (A/RES/79/243) by quoting it: every answer is "
        "the text of the provisions that match best, verbatim, with the exact article and "
        "paragraph. I never write an answer of my own.\n\n"
        "Ask in your own words, or tap an example:\n"
        "{examples}\n\n"
        "/help shows everything I can do."
    ),
    "help": (
        "<b>How to use this bot</b>\n\n"
        "Send a question in plain words and I quote the three provisions that match best. "
        "Under an answer, <i>Full text</i> opens an article and <i>More results</i> shows the "
        "next matches. You can also name a provision: “article 17”, “art. 40(21)”.\n\n"
        "/article 7 — the full text of article 7\n"
        "/article 40 21 — paragraph 21 of article 40\n"
        "/toc — the chapters and their articles\n"
        "/about — the document and the index behind the answers\n\n"
        "In any chat, type @{username} and a question to share a quoted provision.\n"
        "In groups I answer commands, messages that mention me and replies to my messages; "
        "I stay quiet otherwise."
    ),
    "no_match": (
        "No provision of the Convention matches your question. Try rephrasing it in the words a "
        "treaty would use (for example “mutual legal assistance” rather than “help from another "
        "country”), or browse the articles with /toc."
    ),
    "not_text": "Please send your question as text.",
    "something_went_wrong": (
        "Sorry, something went wrong while answering. Please try again in a moment."
    ),
    "unknown_command": "I don't know that command. /help lists the ones I do.",
    "article_usage": (
        "Usage: /article N, or /article N P for a paragraph: /article 7, /article 40 21."
    ),
    "expired": "This answer has expired; please ask the question again.",
    "button_expired": "This button has expired; please send the command again.",
    "no_more_results": "No further provisions match this question.",
    "browse_hint": "/toc lists the articles.",
    "slow_down": (
        "You are sending messages faster than I can answer them, so I skipped some. Please wait "
        "a moment, then send one question at a time."
    ),
    "empty_mention": (
        "Ask your question after the mention, e.g. @{username} what is illegal access?"
    ),
    "already_shown": "Article {article} is already shown above.",
    "no_such_article": (
        "There is no article {number}: the Convention has articles {articles}. "
        "/toc lists the articles."
    ),
    "no_such_paragraph": (
        "Article {article} has no paragraph {paragraph}; its paragraphs are numbered {paragraphs}."
    ),
    "no_numbered_paragraphs": (
        "Article {article} has no numbered paragraphs; /article {article} shows its full text."
    ),
    "button_full_text": "Full text: Article {article}",
    "button_more": "More results",
    "button_previous": "Previous results",
    "button_all_chapters": "« All chapters",
    "chapter_button": "Chapter {number} · {title}",
    "source_footer": "Source: {title} ({symbol}), quoted verbatim.",
    "page_heading": "Results {results} for “{question}”",
    "toc_title": "Table of contents",
    "toc_hint": "Tap a chapter to list its articles.",
    "about_title": "About this bot",
    "about_intro": (
        "Answers are quotations from the treaty, found by search; the bot writes no text "
        "of its own and gives no legal advice."
    ),
    "about_document": "Document",
    "about_checksum": "Source PDF SHA-256",
    "about_built": "Index built",
    "about_model": "Search model",
    "english_text_note": (
        "Quotations are from the authentic English text; the official texts in Arabic, "
        "Chinese, English, French, Russian and Spanish are published by the United Nations "
        "at https://documents.un.org (symbol A/RES/79/243)."
    ),
}

_FR = {
    "start": (
        "<b>Interrogez la Convention des Nations Unies contre la cybercriminalité</b>\n\n"
        "Je réponds aux questions sur la Convention (A/RES/79/243) en la citant : chaque "
        "réponse reproduit mot pour mot le texte des dispositions les plus pertinentes, avec "
        "l'article et le paragraphe exacts. Je ne rédige jamais de réponse moi-même.\n\n"
        "Posez votre question avec vos propres mots, ou touchez un exemple :\n"
        "{examples}\n\n"
        "/help présente tout ce que je sais faire."
    ),
    "help": (
        "<b>Comment utiliser ce bot</b>\n\n"
        "Envoyez une question en langage courant et je cite les trois dispositions qui y "
        "répondent le mieux. Sous une réponse, <i>Texte intégral</i> ouvre un article et "
        "<i>Plus de résultats</i> affiche les correspondances suivantes. Vous pouvez aussi "
        "désigner une disposition : « article 17 », « art. 40(21) ».\n\n"
        "/article 7 — le texte intégral de l'article 7\n"
        "/article 40 21 — le paragraphe 21 de l'article 40\n"
        "/toc — les chapitres et leurs articles\n"
        "/about — le document et l'index sur lesquels reposent les réponses\n\n"
        "Dans n'importe quelle conversation, tapez @{username} suivi d'une question pour "
        "partager une disposition citée.\n"
        "Dans les groupes, je réponds aux commandes, aux messages qui me mentionnent et aux "
        "réponses à mes messages ; sinon, je reste silencieux."
    ),
    "no_match": (
        "Aucune disposition de la Convention ne correspond à votre question. Essayez de la "
        "reformuler avec les termes qu'emploierait un traité (par exemple « entraide "
        "judiciaire » plutôt que « aide d'un autre pays »), ou parcourez les articles avec /toc."
    ),
    "not_text": "Veuillez envoyer votre question sous forme de texte.",
    "something_went_wrong": (
        "Désolé, une erreur s'est produite pendant la préparation de la réponse. Veuillez "
        "réessayer dans un instant."
    ),
    "unknown_command": "Je ne connais pas cette commande. /help indique celles que je connais.",
    "article_usage": (
        "Utilisation : /article N, ou /article N P pour un paragraphe : /article 7, /article 40 21."
    ),
    "expired": "Cette réponse a expiré ; veuillez poser à nouveau la question.",
    "button_expired": "Ce bouton a expiré ; veuillez envoyer à nouveau la commande.",
    "no_more_results": "Aucune autre disposition ne correspond à cette question.",
    "browse_hint": "/toc affiche la liste des articles.",
    "slow_down": (
        "Vous envoyez des messages plus vite que je ne peux y répondre ; j'en ai donc ignoré "
        "certains. Veuillez patienter un instant, puis envoyer une question à la fois."
    ),
    "empty_mention": (
        "Posez votre question après la mention, par exemple : @{username} qu'est-ce que "
        "l'accès illicite ?"
    ),
    "already_shown": "L'article {article} est déjà affiché ci-dessus.",
    "no_such_article": (
        "Il n'y a pas d'article {number} : la Convention comprend les articles {articles}. "
        "/toc affiche la liste des articles."
    ),
    "no_such_paragraph": (
        "L'article {article} n'a pas de paragraphe {paragraph} ; ses paragraphes sont "
        "numérotés {paragraphs}."
    ),
    "no_numbered_paragraphs": (
        "L'article {article} n'a pas de paragraphes numérotés ; /article {article} affiche "
        "son texte intégral."
    ),
    "button_full_text": "Texte intégral : article {article}",
    "button_more": "Plus de résultats",
    "button_previous": "Résultats précédents",
    "button_all_chapters": "« Tous les chapitres",
    "chapter_button": "Chapitre {number} · {title}",
    "source_footer": "Source : {title} ({symbol}), citation textuelle.",
    "page_heading": "Résultats {results} pour « {question} »",
    "toc_title": "Table des matières",
    "toc_hint": "Touchez un chapitre pour afficher ses articles.",
    "about_title": "À propos de ce bot",
    "about_intro": (
        "Les réponses sont des citations du traité, trouvées par une recherche ; le bot ne "
        "rédige aucun texte lui-même et ne donne aucun conseil juridique."
    ),
    "about_document": "Document",
    "about_checksum": "SHA-256 du PDF source",
    "about_built": "Date de construction de l'index",
    "about_model": "Modèle de recherche",
    "english_text_note": (
        "Les citations reproduisent le texte anglais faisant foi ; les textes officiels en "
        "anglais, arabe, chinois, espagnol, français et russe sont publiés par l'Organisation "
        "des Nations Unies sur https://documents.un.org (cote A/RES/79/243)."
    ),
}

_ES = {
    "start": (
        "<b>Consulte la Convención de las Naciones Unidas contra la Ciberdelincuencia</b>\n\n"
        "Respondo a preguntas sobre la Convención (A/RES/79/243) citándola: cada respuesta es "
        "el texto literal de las disposiciones que mejor se ajustan, con el artículo y el "
        "párrafo exactos. Nunca redacto una respuesta propia.\n\n"
        "Pregunte con sus propias palabras o toque un ejemplo:\n"
        "{examples}\n\n"
        "/help muestra todo lo que puedo hacer."
    ),
    "help": (
        "<b>Cómo usar este bot</b>\n\n"
        "Envíe una pregunta en lenguaje corriente y citaré las tres disposiciones que mejor se "
        "ajusten. Debajo de una respuesta, <i>Texto completo</i> abre un artículo y <i>Más "
        "resultados</i> muestra las siguientes coincidencias. También puede indicar una "
        "disposición: «artículo 17», «art. 40(21)».\n\n"
        "/article 7 — el texto completo del artículo 7\n"
        "/article 40 21 — el párrafo 21 del artículo 40\n"
        "/toc — los capítulos y sus artículos\n"
        "/about — el documento y el índice en que se basan las respuestas\n\n"
        "En cualquier chat, escriba @{username} y una pregunta para compartir una disposición "
        "citada.\n"
        "En los grupos respondo a los comandos, a los mensajes que me mencionan y a las "
        "respuestas a mis mensajes; en los demás casos no intervengo."
    ),
    "no_match": (
        "Ninguna disposición de la Convención corresponde a su pregunta. Intente reformularla "
        "con los términos que usaría un tratado (por ejemplo, «asistencia judicial recíproca» "
        "en lugar de «ayuda de otro país») o consulte los artículos con /toc."
    ),
    "not_text": "Por favor, envíe su pregunta en forma de texto.",
    "something_went_wrong": (
        "Lo siento, se produjo un error al preparar la respuesta. Vuelva a intentarlo dentro "
        "de un momento, por favor."
    ),
    "unknown_command": "No conozco ese comando. /help muestra los que conozco.",
    "article_usage": (
        "Uso: /article N, o /article N P para un párrafo: /article 7, /article 40 21."
    ),
    "expired": "Esta respuesta ha caducado; por favor, vuelva a hacer la pregunta.",
    "button_expired": "Este botón ha caducado; por favor, vuelva a enviar el comando.",
    "no_more_results": "No hay más disposiciones que correspondan a esta pregunta.",
    "browse_hint": "/toc muestra la lista de artículos.",
    "slow_down": (
        "Está enviando mensajes más rápido de lo que puedo responderlos, así que omití algunos. "
        "Espere un momento, por favor, y envíe una sola pregunta cada vez."
    ),
    "empty_mention": (
        "Escriba su pregunta después de la mención, por ejemplo: @{username} ¿qué es el acceso "
        "ilícito?"
    ),
    "already_shown": "El artículo {article} ya se muestra más arriba.",
    "no_such_article": (
        "No existe el artículo {number}: la Convención tiene los artículos {articles}. "
        "/toc muestra la lista de artículos."
    ),
    "no_such_paragraph": (
        "El artículo {article} no tiene párrafo {paragraph}; sus párrafos están numerados "
        "{paragraphs}."
    ),
    "no_numbered_paragraphs": (
        "El artículo {article} no tiene párrafos numerados; /article {article} muestra su "
        "texto completo."
    ),
    "button_full_text": "Texto completo: artículo {article}",
    "button_more": "Más resultados",
    "button_previous": "Resultados anteriores",
    "button_all_chapters": "« Todos los capítulos",
    "chapter_button": "Capítulo {number} · {title}",
    "source_footer": "Fuente: {title} ({symbol}), cita textual.",
    "page_heading": "Resultados {results} para «{question}»",
    "toc_title": "Índice",
    "toc_hint": "Toque un capítulo para ver sus artículos.",
    "about_title": "Acerca de este bot",
    "about_intro": (
        "Las respuestas son citas del tratado encontradas mediante búsqueda; el bot no redacta "
        "ningún texto propio ni ofrece asesoramiento jurídico."
    ),
    "about_document": "Documento",
    "about_checksum": "SHA-256 del PDF original",
    "about_built": "Fecha de creación del índice",
    "about_model": "Modelo de búsqueda",
    "english_text_note": (
        "Las citas reproducen el texto auténtico en inglés; las Naciones Unidas publican los "
        "textos oficiales en árabe, chino, español, francés, inglés y ruso en "
        "https://documents.un.org (signatura A/RES/79/243)."
    ),
}

_RU = {
    "start": (
        "<b>Вопросы о Конвенции Организации Объединенных Наций против "
        "киберпреступности</b>\n\n"
        "Я отвечаю на вопросы о Конвенции (A/RES/79/243), цитируя её: каждый ответ — это "
        "дословный текст наиболее подходящих положений с точным указанием статьи и пункта. "
        "Я никогда не пишу ответы от себя.\n\n"
        "Задайте вопрос своими словами или выберите пример:\n"
        "{examples}\n\n"
        "/help — всё, что я умею."
    ),
    "help": (
        "<b>Как пользоваться ботом</b>\n\n"
        "Отправьте вопрос обычными словами, и я процитирую три наиболее подходящих положения. "
        "Под ответом кнопка <i>Полный текст</i> открывает статью, а <i>Ещё результаты</i> "
        "показывает следующие совпадения. Можно также указать положение: «статья 17», "
        "«ст. 40(21)».\n\n"
        "/article 7 — полный текст статьи 7\n"
        "/article 40 21 — пункт 21 статьи 40\n"
        "/toc — главы и их статьи\n"
        "/about — документ и индекс, на которых основаны ответы\n\n"
        "В любом чате введите @{username} и вопрос, чтобы поделиться процитированным "
        "положением.\n"
        "В группах я отвечаю на команды, на сообщения, в которых меня упоминают, и на ответы "
        "на мои сообщения; в остальных случаях я молчу."
    ),
    "no_match": (
        "Ни одно положение Конвенции не соответствует вашему вопросу. Попробуйте "
        "переформулировать его словами, которые использовал бы договор (например, «взаимная "
        "правовая помощь» вместо «помощь другой страны»), или просмотрите статьи с помощью /toc."
    ),
    "not_text": "Пожалуйста, отправьте вопрос текстом.",
    "something_went_wrong": (
        "Извините, при подготовке ответа что-то пошло не так. Пожалуйста, повторите попытку "
        "чуть позже."
    ),
    "unknown_command": "Я не знаю этой команды. /help покажет те, которые я знаю.",
    "article_usage": (
        "Формат: /article N или /article N P для пункта: /article 7, /article 40 21."
    ),
    "expired": "Срок действия этого ответа истёк; пожалуйста, задайте вопрос ещё раз.",
    "button_expired": "Срок действия этой кнопки истёк; пожалуйста, отправьте команду ещё раз.",
    "no_more_results": "Других положений, соответствующих этому вопросу, нет.",
    "browse_hint": "/toc — список статей.",
    "slow_down": (
        "Вы отправляете сообщения быстрее, чем я успеваю на них отвечать, поэтому часть из них "
        "пропущена. Пожалуйста, подождите немного и отправляйте по одному вопросу за раз."
    ),
    "empty_mention": (
        "Задайте вопрос после упоминания, например: @{username} что такое незаконный доступ?"
    ),
    "already_shown": "Статья {article} уже показана выше.",
    "no_such_article": (
        "Статьи {number} нет: Конвенция содержит статьи {articles}. /toc — список статей."
    ),
    "no_such_paragraph": (
        "В статье {article} нет пункта {paragraph}; её пункты имеют номера {paragraphs}."
    ),
    "no_numbered_paragraphs": (
        "В статье {article} нет пронумерованных пунктов; /article {article} покажет её полный "
        "текст."
    ),
    "button_full_text": "Полный текст: статья {article}",
    "button_more": "Ещё результаты",
    "button_previous": "Предыдущие результаты",
    "button_all_chapters": "« Все главы",
    "chapter_button": "Глава {number} · {title}",
    "source_footer": "Источник: {title} ({symbol}), дословная цитата.",
    "page_heading": "Результаты {results} по запросу «{question}»",
    "toc_title": "Содержание",
    "toc_hint": "Выберите главу, чтобы увидеть её статьи.",
    "about_title": "Об этом боте",
    "about_intro": (
        "Ответы — это цитаты из договора, найденные поиском; бот не пишет собственных текстов "
        "и не даёт юридических консультаций."
    ),
    "about_document": "Документ",
    "about_checksum": "SHA-256 исходного PDF",
    "about_built": "Индекс построен",
    "about_model": "Поисковая модель",
    "english_text_note": (
        "Цитаты приводятся по аутентичному тексту на английском языке; официальные тексты на "
        "английском, арабском, испанском, китайском, русском и французском языках опубликованы "
        "Организацией Объединенных Наций на сайте https://documents.un.org (условное "
        "обозначение A/RES/79/243)."
    ),
}

_ZH = {
    "start": (
        "<b>向《联合国打击网络犯罪公约》提问</b>\n\n"
        "我通过引用《公约》（A/RES/79/243）来回答有关问题：每个回答都是最相关条款的逐字原文，"
        "并注明确切的条和款。我从不自行撰写回答。\n\n"
        "请用您自己的话提问，或点击一个示例：\n"
        "{examples}\n\n"
        "/help 可查看我的全部功能。"
    ),
    "help": (
        "<b>使用说明</b>\n\n"
        "用日常语言发送问题，我会引用最相关的三项条款。在回答下方，点击<i>全文</i>可打开整条，"
        "点击<i>更多结果</i>可查看后续匹配结果。您也可以直接指明条款：“第17条”、"
        "“第40条第21款”。\n\n"
        "/article 7 — 第7条全文\n"
        "/article 40 21 — 第40条第21款\n"
        "/toc — 各章及其所含条款\n"
        "/about — 回答所依据的文件和索引\n\n"
        "在任何聊天中输入 @{username} 加上问题，即可分享一项引用的条款。\n"
        "在群组中，我只回应命令、提及我的消息以及对我的消息的回复；其他情况下我不发言。"
    ),
    "no_match": (
        "《公约》中没有与您的问题相符的条款。请尝试用条约的措辞重新表述"
        "（例如用“司法协助”而不是“其他国家的帮助”），或使用 /toc 浏览各条。"
    ),
    "not_text": "请以文字形式发送您的问题。",
    "something_went_wrong": "抱歉，回答时出现错误。请稍后再试。",
    "unknown_command": "我不认识这个命令。/help 列出了我能识别的命令。",
    "article_usage": "用法：/article N，或用 /article N P 查看某一款：/article 7、/article 40 21。",
    "expired": "此回答已过期，请重新提问。",
    "button_expired": "此按钮已过期，请重新发送命令。",
    "no_more_results": "没有其他与此问题相符的条款。",
    "browse_hint": "/toc 列出《公约》各条。",
    "slow_down": (
        "您发送消息的速度超过了我的回复速度，因此部分消息已被跳过。"
        "请稍候片刻，然后每次只发送一个问题。"
    ),
    "empty_mention": "请在提及之后输入您的问题，例如：@{username} 什么是非法访问？",
    "already_shown": "第{article}条已在上方显示。",
    "no_such_article": "没有第{number}条：《公约》包含第{articles}条。/toc 列出《公约》各条。",
    "no_such_paragraph": "第{article}条没有第{paragraph}款；该条各款的编号为{paragraphs}。",
    "no_numbered_paragraphs": "第{article}条没有编号的款；/article {article} 可显示该条全文。",
    "button_full_text": "全文：第{article}条",
    "button_more": "更多结果",
    "button_previous": "上一页结果",
    "button_all_chapters": "« 全部章节",
    "chapter_button": "第{number}章 · {title}",
    "source_footer": "来源：{title}（{symbol}），逐字引用。",
    "page_heading": "“{question}”的第{results}项结果",
    "toc_title": "目录",
    "toc_hint": "点击某一章即可列出其各条。",
    "about_title": "关于本机器人",
    "about_intro": (
        "回答均为通过检索找到的条约原文引文；本机器人不自行撰写任何内容，也不提供法律意见。"
    ),
    "about_document": "文件",
    "about_checksum": "源 PDF 的 SHA-256",
    "about_built": "索引构建时间",
    "about_model": "搜索模型",
    "english_text_note": (
        "引文出自英文作准文本；联合国在 https://documents.un.org 发布阿拉伯文、中文、英文、"
        "法文、俄文和西班牙文正式文本（文号 A/RES/79/243）。"
    ),
}

_AR = {
    "start": (
        "<b>أسئلة حول اتفاقية الأمم المتحدة لمكافحة الجريمة السيبرانية</b>\n\n"
        "أجيب عن الأسئلة المتعلقة بالاتفاقية (A/RES/79/243) بالاقتباس منها: كل إجابة هي النص "
        "الحرفي للأحكام الأكثر مطابقة، مع ذكر المادة والفقرة بدقة. ولا أكتب أبداً إجابة من "
        "عندي.\n\n"
        "اطرح سؤالك بكلماتك الخاصة، أو اضغط على أحد الأمثلة:\n"
        "{examples}\n\n"
        "يعرض /help كل ما يمكنني القيام به."
    ),
    "help": (
        "<b>كيفية استخدام هذا البوت</b>\n\n"
        "أرسل سؤالاً بكلمات بسيطة وسأقتبس الأحكام الثلاثة الأكثر مطابقة له. تحت كل إجابة، "
        "يفتح زر <i>النص الكامل</i> المادة كاملة، ويعرض زر <i>مزيد من النتائج</i> النتائج "
        "التالية. ويمكنك أيضاً ذكر حكم بعينه: «المادة 17»، «المادة 40(21)».\n\n"
        "/article 7 — النص الكامل للمادة 7\n"
        "/article 40 21 — الفقرة 21 من المادة 40\n"
        "/toc — الفصول وموادها\n"
        "/about — الوثيقة والفهرس اللذان تستند إليهما الإجابات\n\n"
        "في أي محادثة، اكتب @{username} متبوعاً بسؤال لمشاركة حكم مقتبس.\n"
        "في المجموعات، أرد على الأوامر وعلى الرسائل التي تذكرني وعلى الردود على رسائلي، "
        "وألتزم الصمت فيما عدا ذلك."
    ),
    "no_match": (
        "لا يوجد في الاتفاقية حكم يطابق سؤالك. حاول إعادة صياغته بالمصطلحات التي تستخدمها "
        "المعاهدات (مثلاً «المساعدة القانونية المتبادلة» بدلاً من «مساعدة من بلد آخر»)، أو "
        "تصفح المواد باستخدام /toc."
    ),
    "not_text": "يُرجى إرسال سؤالك في شكل نص.",
    "something_went_wrong": "عذراً، حدث خطأ أثناء إعداد الإجابة. يُرجى المحاولة مرة أخرى بعد قليل.",
    "unknown_command": "لا أعرف هذا الأمر. يعرض /help الأوامر التي أعرفها.",
    "article_usage": (
        "طريقة الاستخدام: /article N، أو /article N P لفقرة بعينها: /article 7، /article 40 21."
    ),
    "expired": "انتهت صلاحية هذه الإجابة؛ يُرجى طرح السؤال مرة أخرى.",
    "button_expired": "انتهت صلاحية هذا الزر؛ يُرجى إرسال الأمر مرة أخرى.",
    "no_more_results": "لا توجد أحكام أخرى تطابق هذا السؤال.",
    "browse_hint": "يعرض /toc قائمة المواد.",
    "slow_down": (
        "ترسل الرسائل أسرع مما أستطيع الرد عليها، لذلك تخطيت بعضها. يُرجى الانتظار قليلاً، "
        "ثم إرسال سؤال واحد في كل مرة."
    ),
    "empty_mention": "اكتب سؤالك بعد الإشارة إليّ، مثلاً: @{username} ما هو الدخول غير المشروع؟",
    "already_shown": "المادة {article} معروضة أعلاه بالفعل.",
    "no_such_article": (
        "لا توجد مادة رقم {number}: تتضمن الاتفاقية المواد {articles}. يعرض /toc قائمة المواد."
    ),
    "no_such_paragraph": (
        "لا توجد في المادة {article} فقرة رقم {paragraph}؛ وأرقام فقراتها {paragraphs}."
    ),
    "no_numbered_paragraphs": (
        "لا تتضمن المادة {article} فقرات مرقمة؛ يعرض /article {article} نصها الكامل."
    ),
    "button_full_text": "النص الكامل: المادة {article}",
    "button_more": "مزيد من النتائج",
    "button_previous": "النتائج السابقة",
    "button_all_chapters": "« جميع الفصول",
    "chapter_button": "الفصل {number} · {title}",
    "source_footer": "المصدر: {title} ({symbol})، اقتباس حرفي.",
    "page_heading": "النتائج {results} للسؤال «{question}»",
    "toc_title": "جدول المحتويات",
    "toc_hint": "اضغط على فصل لعرض مواده.",
    "about_title": "حول هذا البوت",
    "about_intro": (
        "الإجابات اقتباسات من المعاهدة يُعثر عليها بالبحث؛ ولا يكتب البوت أي نص من عنده ولا "
        "يقدم أي مشورة قانونية."
    ),
    "about_document": "الوثيقة",
    "about_checksum": "SHA-256 لملف PDF المصدر",
    "about_built": "تاريخ إنشاء الفهرس",
    "about_model": "نموذج البحث",
    "english_text_note": (
        "النص المقتبس هو النص الإنكليزي ذو الحجية؛ وتنشر الأمم المتحدة النصوص الرسمية "
        "بالإسبانية والإنكليزية والروسية والصينية والعربية والفرنسية على الموقع "
        "https://documents.un.org (الرمز A/RES/79/243)."
    ),
}

CATALOG: Mapping[str, Mapping[str, str]] = {
    "en": _EN,
    "fr": {key: _french_spacing(value) for key, value in _FR.items()},
    "es": _ES,
    "ru": _RU,
    "zh": _ZH,
    "ar": _AR,
}

_EXAMPLE_QUESTIONS: Mapping[str, tuple[str, str, str]] = {
    "en": (
        "Which article makes illegal access to a computer system a crime?",
        "When can a State refuse a request for mutual legal assistance?",
        "How must personal data be protected when it is transferred?",
    ),
    "fr": tuple(
        _french_spacing(question)
        for question in (
            "Quel article érige en infraction l'accès illicite à un système informatique ?",
            "Dans quels cas un État peut-il refuser une demande d'entraide judiciaire ?",
            "Comment protéger les données personnelles transférées à un autre État ?",
        )
    ),
    "es": (
        "¿Qué artículo tipifica como delito el acceso ilícito a un sistema informático?",
        "¿Cuándo puede un Estado denegar una solicitud de asistencia judicial recíproca?",
        "¿Cómo deben protegerse los datos personales cuando se transfieren a otro Estado?",
    ),
    "ru": (
        "Какая статья признает преступлением незаконный доступ к компьютерной системе?",
        "Когда государство может отказать в просьбе о взаимной правовой помощи?",
        "Как должны защищаться персональные данные при передаче другому государству?",
    ),
    "zh": (
        "哪一条将非法访问计算机系统定为犯罪？",
        "国家在什么情况下可以拒绝司法协助请求？",
        "向其他国家转移个人数据时应如何加以保护？",
    ),
    "ar": (
        "ما المادة التي تجرّم الدخول غير المشروع إلى نظام حاسوبي؟",
        "متى يجوز للدولة رفض طلب المساعدة القانونية المتبادلة؟",
        "كيف يجب حماية البيانات الشخصية عند نقلها إلى دولة أخرى؟",
    ),
}

# For setMyCommands with language_code; Telegram allows 1–256 characters per description.
COMMAND_DESCRIPTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("start", "What this bot is, with example questions"),
        ("help", "How to ask, and what the commands do"),
        ("article", "An article or paragraph: /article 7 or /article 40 21"),
        ("toc", "The chapters and articles of the Convention"),
        ("about", "The document, its checksum and the search index"),
    ),
    "fr": tuple(
        (command, _french_spacing(description))
        for command, description in (
            ("start", "Présentation du bot, avec des exemples de questions"),
            ("help", "Comment poser une question, et à quoi servent les commandes"),
            ("article", "Un article ou un paragraphe : /article 7 ou /article 40 21"),
            ("toc", "Les chapitres et les articles de la Convention"),
            ("about", "Le document, sa somme de contrôle et l'index de recherche"),
        )
    ),
    "es": (
        ("start", "Qué es este bot, con preguntas de ejemplo"),
        ("help", "Cómo preguntar y para qué sirven los comandos"),
        ("article", "Un artículo o párrafo: /article 7 o /article 40 21"),
        ("toc", "Los capítulos y artículos de la Convención"),
        ("about", "El documento, su suma de verificación y el índice de búsqueda"),
    ),
    "ru": (
        ("start", "Что это за бот, с примерами вопросов"),
        ("help", "Как задавать вопросы и что делают команды"),
        ("article", "Статья или пункт: /article 7 или /article 40 21"),
        ("toc", "Главы и статьи Конвенции"),
        ("about", "Документ, его контрольная сумма и поисковый индекс"),
    ),
    "zh": (
        ("start", "本机器人简介及示例问题"),
        ("help", "如何提问以及各命令的作用"),
        ("article", "查看某条或某款：/article 7 或 /article 40 21"),
        ("toc", "《公约》的各章和各条"),
        ("about", "文件、其校验和以及搜索索引"),
    ),
    "ar": (
        ("start", "ما هذا البوت، مع أمثلة على الأسئلة"),
        ("help", "كيفية طرح الأسئلة ووظائف الأوامر"),
        ("article", "مادة أو فقرة: /article 7 أو /article 40 21"),
        ("toc", "فصول الاتفاقية وموادها"),
        ("about", "الوثيقة ومجموع التحقق الخاص بها وفهرس البحث"),
    ),
}


def text(key: str, lang: str, **values: object) -> str:
    """The text `key` in `lang` with its placeholders filled, falling back to English.

    `lang` may be one of LANGUAGES or a raw Telegram language_code. `values` must already be
    HTML-escaped. A key unknown even in English raises KeyError.
    """
    template = CATALOG[language_of(lang)].get(key)
    if template is None:
        template = CATALOG[DEFAULT_LANGUAGE][key]
    return template.format(**values)


def example_questions(lang: str) -> tuple[str, str, str]:
    """The three example questions offered by /start, in `lang` (English if unknown)."""
    return _EXAMPLE_QUESTIONS[language_of(lang)]
