"""ner-model-export: turns NER checkpoints into model bundles for ner-api (see docs/model-bundle.md).

Shared library: `tokenization` (tokenizer.json writer + Python reference tokenizer), `decoding` (reference
CRF decoding), `bundle` (bundle and golden-file writing and checks). Exporters: `raner` (ModelScope RaNER).
"""
