import os

from openai import AzureOpenAI as Azure

deployment, region = os.getenv("TRANSLATE_DEPLOYMENT", "gpt-4o"), os.getenv("TRANSLATE_REGION", "westeurope")


class Translator:
    client = Azure(api_version="2024-06-01", azure_deployment=deployment)


translator = Translator()
