# expect: safe path_traversal CWE-22
import sys


def main():
    with open(sys.argv[1]) as handle:
        for number, line in enumerate(handle, 1):
            print(f"{number:5} {line}", end="")


if __name__ == "__main__":
    main()
