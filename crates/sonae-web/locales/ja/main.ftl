app-name = sonae
