"""Web Push (RFC 8030, RFC 8291 encryption, RFC 8292 VAPID): the devices a person turned push
on for, and sending to them. It knows nothing of communities: the floor decides who is told
what (communities/notifications.py, communities/push.py) and hands a payload over here."""
