# expect: safe xxe CWE-611
import sys
from lxml import etree


def load(path):
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    return etree.parse(path, parser)


if __name__ == "__main__":
    print(load(sys.argv[1]).getroot().tag)
