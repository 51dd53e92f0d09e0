"""The kiosk's acts: devices (enable, set up on the screen, revoke) and signing people in."""
