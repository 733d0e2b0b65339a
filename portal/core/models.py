from django.db import models


class UnsentTask(models.Model):
    """A task the broker refused because it was unreachable (Redis down or restarting).

    The request or job that enqueued it goes on as if it had been queued; beat's next tick
    after the broker returns publishes it again (``portal.core.tasks.resend_unsent_tasks``), so
    work asked for during an outage is done late, not lost. Periodic tasks are not kept:
    beat publishes them again anyway. Tasks may run twice (a resend after a partial
    failure), so they are idempotent, as every Parvis task already has to be.
    """

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} (unsent since {self.created_at:%Y-%m-%d %H:%M})"
