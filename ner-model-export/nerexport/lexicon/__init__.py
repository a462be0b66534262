"""Word knowledge from a dictionary, computed inside the model graph: for each word-piece, which dictionary
words begin, continue, end or stand alone there, by part-of-speech group (``dictionary``), looked up in an
exact hash table of piece-id n-grams (``table``) by the same int64 arithmetic in PyTorch and in ONNX
(``features``), so the exported bundle needs nothing but ``input_ids`` and ``attention_mask``."""
