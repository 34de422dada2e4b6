# expect: vulnerable insecure_deserialization CWE-502
import pickle
import sys


def load_cache(path):
    with open(path, "rb") as fh:
        return pickle.load(fh)


if __name__ == "__main__":
    print(load_cache(sys.argv[1]))
