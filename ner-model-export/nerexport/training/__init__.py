"""What every training recipe shares: the data sets and rows (``data``), batching (``batching``), the CRF
(``crf``), scores (``metrics``), and the optimisation and evaluation helpers of a training loop (``loop``)."""
