# expect: vulnerable path_traversal CWE-22
import sys
import tarfile


def unpack(archive, dest):
    with tarfile.open(archive) as tar:
        tar.extractall(dest)


if __name__ == "__main__":
    unpack(sys.argv[1], "out")
