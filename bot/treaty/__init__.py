"""The treaty as a typed structure, parsed from its plain-text layout and checked.

`model` holds the types (with the rule that splits a paragraph into sub-paragraphs), `layout`
what the printed Convention is known to contain, `parsing` the parser and its validation,
`citations` the wording of citations, and `references` the provisions a question names.
"""
