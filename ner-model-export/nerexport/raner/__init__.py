"""Exporter for ModelScope RaNER checkpoints (BERT/StructBERT encoder + linear emissions + CRF).

`checkpoint` reads the downloaded folder, `bert` is the plain-PyTorch reference forward, `export` writes
and validates the bundle, `tiny` makes small random checkpoints in the same layout for tests and golden
files. Command line: ``python3 -m nerexport.raner <checkpoint_dir> <out_bundle_dir> [--golden FILE]``.
"""
