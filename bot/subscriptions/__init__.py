"""What chats watch: one service that changes subscriptions in the database and the match index
together (`service`), the /export and /import documents (`transfer`), and chat settings as
typed (`setting_values`). No Telegram inside."""
