"""`python -m cmcc_corpus`: the same entry point as the `cmcc-corpus` script."""

from .cli import main

if __name__ == "__main__":
    main()
