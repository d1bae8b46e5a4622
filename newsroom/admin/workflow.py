"""Statuses and scheduling, the roles enforced on the server, safe concurrent editing and revisions."""


class WorkflowMixin:
    workflow_actions: list = []
