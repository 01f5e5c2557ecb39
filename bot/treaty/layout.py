"""What the Convention's printed layout is known to be: its document ids, symbol, number of
articles and the heading that opens its interpretative notes. The parser, the PDF reader and the
validation all check against these."""

CONVENTION_ID = "convention"
NOTES_ID = "interpretative-notes"
SYMBOL = "A/RES/79/243"
ARTICLE_COUNT = 68
CONVENTION_TITLE = "United Nations Convention against Cybercrime"
NOTES_MARKER = "Interpretative notes on specific articles"
