# expect: vulnerable xxe CWE-611
import sys
import xml.sax


class Counter(xml.sax.ContentHandler):
    def __init__(self):
        super().__init__()
        self.count = 0

    def startElement(self, name, attrs):
        self.count += 1


parser = xml.sax.make_parser()
parser.setFeature(xml.sax.handler.feature_external_ges, True)
handler = Counter()
parser.setContentHandler(handler)
parser.parse(sys.argv[1])
print(handler.count)
