"""Filters for the inspectors' pages: `{{ entry.action|action_label }}`, `|model_label`, `|role_label`."""

from django import template

from inspection import labels

register = template.Library()
register.filter("action_label", labels.action_label)
register.filter("model_label", labels.model_label)
register.filter("role_label", labels.role_label)
