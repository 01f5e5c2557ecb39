"""How text becomes vectors and tokens, the same when the index is built and when a question
is asked: sentence encoders (`encoders`), the English BM25 tokenizer (`lexical`) and BM25
scoring (`bm25`). Below the index, which stores what they produce, and the search, which
compares questions with it."""
