from django.db import models


class StoredValues(models.Model):
    """Remembers what the row held when it was loaded (Django's documented
    ``from_db`` pattern), so a change can tell what it replaced — which list a
    story left — without reading the row again."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.stored_values = dict(zip(field_names, values, strict=True))
        return instance

    def remember_stored_values(self):
        """After a save: what is stored now is what this instance holds."""
        self.stored_values = {
            field.attname: self.__dict__[field.attname]
            for field in self._meta.concrete_fields
            if field.attname in self.__dict__
        }
