# expect: vulnerable xxe CWE-611
import sys
from lxml import etree


def load(path):
    parser = etree.XMLParser(load_dtd=True, no_network=False, resolve_entities=True)
    return etree.parse(path, parser)


if __name__ == "__main__":
    print(load(sys.argv[1]).getroot().tag)
