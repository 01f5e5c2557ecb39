"""The index: the treaty cut into citable search units (`chunking`), embedded and written by
`build`, stored on disk in one versioned format (`store`: manifest, checksums, atomic swap),
with the multilingual search aids it embeds (`search_aids`)."""
