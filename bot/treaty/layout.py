"""What the Convention's printed layout is known to be: its document ids, symbol, number of
articles and the heading that opens its interpretative notes. The parser, the PDF reader and the
validation all check against these."""

CONVENTION_ID = "convention"
NOTES_ID = "interpretative-notes"
SYMBOL = "A/RES/79/243"
ARTICLE_COUNT = 68
CONVENTION_TITLE = "United Nations Convention against Cybercrime"
NOTES_MARKER = "Interpretative notes on specific articles"

# The resolution itself (pages 1-3 of the same PDF): its preambular and operative paragraphs.
RESOLUTION_ID = "resolution"
OPERATIVE_COUNT = 12
RESOLUTION_TITLE_PREFIX = "79/243."  # the printed title opens with the resolution's number
RESOLUTION_ADDRESSEE = "The General Assembly,"  # the line before the preambular paragraphs

# The Council of Europe Convention on Cybercrime, an optional second instrument.
BUDAPEST_ID = "budapest"
BUDAPEST_SYMBOL = "ETS No. 185"
BUDAPEST_TITLE = "Convention on Cybercrime"
BUDAPEST_ARTICLE_COUNT = 48
BUDAPEST_SOURCE_ID = "ETS-185-en"
