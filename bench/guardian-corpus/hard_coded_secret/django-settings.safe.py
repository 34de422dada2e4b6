# expect: safe hard_coded_secret CWE-798
import os

DEBUG = False
ALLOWED_HOSTS = ["shop.example.com"]
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}}
