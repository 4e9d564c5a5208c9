from django.db import models


class Complaint(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField()
    description = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)


class Event(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)


class Promise(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="promises")
    kind = models.CharField(max_length=40)
    limit = models.DateTimeField()
