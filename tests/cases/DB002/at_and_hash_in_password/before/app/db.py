REPLICA = "mysql+pymysql://reader:a b&c@replica.example.com:443/app"
