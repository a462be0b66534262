"""The pretrained-encoder recipe: bge-small-zh-v1.5 (a 4-layer Chinese BERT from Maven Central) converted to
PyTorch, fine-tuned with a linear layer and a CRF, saved as a RaNER checkpoint and exported by
:mod:`nerexport.raner`."""
