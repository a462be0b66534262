"""The compact default model that ner-api embeds: a character BiGRU-CRF over the bert-base-chinese word-piece
vocabulary, initialised from Baidu LAC-small (shipped by Debian's python3-jieba); optional hashed character-bigram
embeddings computed inside the ONNX graph (off in the shipped model). See MODEL_CARD.md. ``python -m nerexport.compact.train`` is the one-command recipe."""
