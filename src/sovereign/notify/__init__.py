"""notify: release broadcasts to Slack, Discord and Microsoft Teams that fit every
platform limit, are never sent twice, and cannot be turned into pings or spoofed links."""
