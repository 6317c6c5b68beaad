from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "baocao.collection"
    verbose_name = "Thu thập số liệu"
