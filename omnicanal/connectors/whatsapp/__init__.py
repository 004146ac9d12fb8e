"""The WhatsApp channel: one adapter over two providers (Cloud API, Twilio)."""
