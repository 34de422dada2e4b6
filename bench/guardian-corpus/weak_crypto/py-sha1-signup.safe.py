# expect: safe weak_crypto CWE-916
import hashlib
import bcrypt


def create_account(db, email, password):
    digest = bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode()
    db.execute("INSERT INTO accounts (email, password_hash) VALUES (?, ?)", (email, digest))
