"""Command line: export a ModelScope RaNER checkpoint directory to a model bundle.

    /usr/bin/python3 -m nerexport.raner <checkpoint_dir> <out_bundle_dir> [--golden golden.json]

Exit codes: 0 written; 2 bad arguments; 3 not a usable RaNER checkpoint (missing file, unknown layout,
no label order, ...); 4 the export failed validation (interface, values beyond 1e-4, padding).
"""

from __future__ import annotations

import argparse
import os
import sys

EXIT_BAD_CHECKPOINT = 3
EXIT_VALIDATION_FAILED = 4


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m nerexport.raner",
        description="Export a ModelScope RaNER checkpoint (BERT-CRF) to an ner-api model bundle "
        "(model.onnx, tokenizer.json, ner-model.json), validated against the PyTorch reference.",
    )
    parser.add_argument("checkpoint_dir", help="the downloaded checkpoint folder (configuration.json, config.json, vocab.txt, weights)")
    parser.add_argument("out_bundle_dir", help="where to write the bundle (created if needed)")
    parser.add_argument("--golden", metavar="GOLDEN_JSON", help="also write a golden file for ner-api's replay test (keep it outside the bundle's ner-model/ folder)")
    parser.add_argument("--name", help="bundle name in ner-model.json (default: the checkpoint folder's name)")
    parser.add_argument("--version", default="1.0.0", help="bundle version in ner-model.json (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("NEREXPORT_THREADS", "2")), help="torch threads (default: %(default)s)")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(max(1, args.threads))
    from nerexport.bundle import BundleError
    from nerexport.raner.checkpoint import CheckpointError
    from nerexport.raner.export import export_checkpoint

    try:
        export_checkpoint(args.checkpoint_dir, args.out_bundle_dir, args.golden, name=args.name, version=args.version)
    except CheckpointError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_CHECKPOINT
    except BundleError as e:
        print(f"error: export failed validation: {e}", file=sys.stderr)
        return EXIT_VALIDATION_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
