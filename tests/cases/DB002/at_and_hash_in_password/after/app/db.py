REPLICA = "mysql+pymysql://reader:a%20b%26c@replica.example.com:443/app"
