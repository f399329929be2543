from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The one error shape: a message, a machine-readable code, and field errors if any."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
