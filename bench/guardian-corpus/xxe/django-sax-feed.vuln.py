# expect: vulnerable xxe CWE-611
import xml.sax
from io import BytesIO
from django.http import JsonResponse


class ItemCounter(xml.sax.ContentHandler):
    items = 0

    def startElement(self, name, attrs):
        if name == "item":
            self.items += 1


def import_feed(request):
    parser = xml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_external_ges, True)
    counter = ItemCounter()
    parser.setContentHandler(counter)
    parser.parse(BytesIO(request.body))
    return JsonResponse({"items": counter.items})
