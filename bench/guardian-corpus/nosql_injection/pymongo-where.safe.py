# expect: safe nosql_injection CWE-943
from django.http import JsonResponse
from .mongo import db


def expensive_orders(request):
    threshold = float(request.GET["threshold"])
    orders = db.orders.find({"amount": {"$gt": threshold}})
    return JsonResponse({"orders": [o["ref"] for o in orders]})
