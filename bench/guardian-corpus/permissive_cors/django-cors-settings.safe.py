# expect: safe permissive_cors CWE-942
INSTALLED_APPS = ["corsheaders", "django.contrib.auth"]
MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
CORS_ALLOW_CREDENTIALS = True
