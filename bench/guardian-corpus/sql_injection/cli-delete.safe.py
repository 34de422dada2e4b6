# expect: safe sql_injection CWE-89
import sys
import mysql.connector

ALLOWED = {"sessions", "events"}


def main():
    table = sys.argv[1]
    if table not in ALLOWED:
        raise SystemExit("unknown table")
    cnx = mysql.connector.connect(user="admin", database="ops")
    cursor = cnx.cursor()
    cursor.execute("DELETE FROM sessions WHERE created < NOW() - INTERVAL 30 DAY" if table == "sessions" else "DELETE FROM events WHERE created < NOW() - INTERVAL 30 DAY")
    cnx.commit()


if __name__ == "__main__":
    main()
