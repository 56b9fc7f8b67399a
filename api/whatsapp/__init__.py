"""WhatsApp transport over Twilio: outbound senders (webhook and outbox come later)."""
