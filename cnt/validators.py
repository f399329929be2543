"""Model and serializer validators shared by every app."""

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from cnt.text import has_control_characters


@deconstructible
class SingleLineValidator:
    """Refuses control characters and line breaks (CR/LF, U+2028...) in text that ends up
    in a header: display names, subjects."""

    message = "Use a single line of text without control characters."
    code = "control_characters"

    def __call__(self, value):
        if value and has_control_characters(str(value)):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, SingleLineValidator)


validate_single_line = SingleLineValidator()
