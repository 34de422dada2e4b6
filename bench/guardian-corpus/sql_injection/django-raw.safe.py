# expect: safe sql_injection CWE-89
from django.http import JsonResponse
from .models import Article


def article_search(request):
    q = request.GET.get("q", "")
    articles = Article.objects.raw("SELECT * FROM blog_article WHERE title LIKE %s", [f"%{q}%"])
    return JsonResponse({"results": [a.title for a in articles]})
