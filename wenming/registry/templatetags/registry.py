from django import template

register = template.Library()


@register.filter
def column_value(record, column):
    return column.export(record)
