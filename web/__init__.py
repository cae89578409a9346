"""The web layer: blueprints for the JSON API and the page, error handlers, housekeeping.

Routes reach the app's collaborators through `get_services()`; they hold no state of their own.
"""
