"""Answering a question from the index.

`retriever.Retriever` reads a question, looks up the provisions it names or searches for the
ones that answer it, and returns `results.Answer`. The signals it fuses each have a module:
`dense` (embedding spaces), BM25 with the `glossary`'s treaty vocabulary, `definitions`
(Article 2), `aids` (search phrases in the other UN languages, by `language`); `ranking` turns
unit scores into article rankings and `fusion` weighs them, scores the quoted unit and decides
when to decline. `evaluation` measures all of it over question files.
"""
