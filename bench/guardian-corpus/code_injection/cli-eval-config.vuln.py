# expect: vulnerable code_injection CWE-95
import sys


def load_setting(raw):
    return eval(raw)


if __name__ == "__main__":
    print(load_setting(sys.argv[1]))
