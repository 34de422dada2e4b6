# expect: safe code_injection CWE-95
import json
import sys


def load_setting(raw):
    return json.loads(raw)


if __name__ == "__main__":
    print(load_setting(sys.argv[1]))
