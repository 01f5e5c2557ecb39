"""Obtaining the treaty text: a local file, an http(s) URL or the official UN PDF (cached and
checked against its sha256) in `obtain`; the PDF read into the parser's layout by `pdf_layout`
(the Convention's pages) on top of `pdf_content` (generic PDF content streams)."""
