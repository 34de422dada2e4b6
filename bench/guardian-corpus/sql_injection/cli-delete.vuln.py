# expect: vulnerable sql_injection CWE-89
import sys
import mysql.connector


def main():
    table = sys.argv[1]
    cnx = mysql.connector.connect(user="admin", database="ops")
    cursor = cnx.cursor()
    cursor.execute("DELETE FROM " + table + " WHERE created < NOW() - INTERVAL 30 DAY")
    cnx.commit()


if __name__ == "__main__":
    main()
