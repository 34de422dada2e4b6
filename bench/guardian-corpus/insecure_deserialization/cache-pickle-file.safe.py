# expect: safe insecure_deserialization CWE-502
import json
import sys


def load_cache(path):
    with open(path, "rb") as fh:
        return json.load(fh)


if __name__ == "__main__":
    print(load_cache(sys.argv[1]))
