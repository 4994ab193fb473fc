from openai import OpenAI

client = OpenAI()  # a script the app never imports
print(client.models.list())
