"""Word lists the simulated world draws its names and texts from.

Plain ASCII words keep cover text readable for OCR; a few display names and descriptions carry
emoji and right-to-left text because real ones do (TIKTOK-FORMATS.md §7).
"""

FIRST_NAMES = (
    "mila", "noah", "lena", "omar", "sofia", "lucas", "amara", "kenji", "zoe", "mateo",
    "ines", "felix", "yara", "theo", "nadia", "ravi", "chloe", "diego", "hana", "leo",
    "maya", "ivan", "aisha", "jonas", "elif", "sam", "priya", "hugo", "lina", "tariq",
)  # fmt: skip

LAST_WORDS = (
    "rivers", "cooks", "dances", "travels", "builds", "paints", "laughs", "runs", "sings",
    "codes", "bakes", "films", "skates", "reads", "plays", "fixes", "grows", "jumps",
)  # fmt: skip

DISPLAY_SUFFIXES = ("", "", "", " ✨", " 🎬", " 🌙", " | official", " حياة")

DESCRIPTION_WORDS = (
    "morning", "routine", "recipe", "easy", "quick", "city", "walk", "sunset", "beach",
    "coffee", "workout", "tutorial", "makeup", "outfit", "dog", "cat", "funny", "prank",
    "story", "time", "day", "night", "life", "hack", "tips", "street", "food", "market",
    "music", "dance", "challenge", "trend", "vlog", "travel", "train", "rain", "snow",
    "garden", "paint", "book", "study", "exam", "school", "weekend", "party", "friends",
    "family", "baby", "wedding", "gym", "football", "goal", "game", "car", "bike", "park",
)  # fmt: skip

# Cover text: short upper-case words in a large font, so tesseract reads them back (STACK.md).
COVER_WORDS = (
    "WAIT", "FOR", "IT", "PART", "ONE", "TWO", "THREE", "STORYTIME", "DAY", "WEEK", "BEST",
    "EVER", "HOW", "TO", "COOK", "PASTA", "LONDON", "PARIS", "TOKYO", "SECRET", "TRICK",
    "NEVER", "AGAIN", "MY", "FIRST", "LAST", "TRY", "THIS", "RECIPE", "HACK", "REVIEW",
    "HONEST", "CITY", "GUIDE", "MORNING", "ROUTINE", "NIGHT", "SHIFT", "GARDEN", "TOUR",
)  # fmt: skip

CAPTION_WORDS = (
    "hello", "everyone", "today", "we", "are", "going", "to", "make", "something", "really",
    "special", "first", "you", "need", "a", "little", "bit", "of", "patience", "and", "then",
    "just", "watch", "what", "happens", "next", "thank", "you", "for", "watching", "follow",
    "for", "part", "two", "this", "is", "the", "best", "trick", "I", "know",
)  # fmt: skip

HASHTAG_NAMES = (
    "fyp", "foryou", "viral", "london", "paris", "tokyo", "newyork", "food", "recipe",
    "comedy", "dance", "music", "travel", "fashion", "fitness", "cats", "dogs", "football",
    "art", "diy", "booktok", "study", "makeup", "skincare", "gaming", "cars", "nature",
    "science", "history", "news", "election", "climate", "coffee", "baking", "garden",
    "running", "yoga", "anime", "photography", "قران",
)  # fmt: skip

SONG_WORDS = (
    "midnight", "drive", "summer", "echo", "golden", "hour", "neon", "dreams", "paper",
    "hearts", "electric", "feel", "slow", "motion", "city", "lights", "ocean", "eyes",
)  # fmt: skip

ARTISTS = (
    "The Parallels", "Nova Lane", "DJ Kite", "Luna & Co", "Marble Sky", "Kofi Beats",
    "Aria Voss", "Static Bloom", "Oliver Quay", "Sun Ra Lee",
)  # fmt: skip

EFFECT_NAMES = (
    "Green Screen", "Slow Zoom", "Time Warp Scan", "Bling", "Face Zoom", "Glitch",
    "Vintage Film", "Split Screen", "Blur", "Sparkle",
)  # fmt: skip

STICKER_NAMES = ("Poll", "Question", "Countdown", "Location", "Mention", "Link")

# Weighted towards the regions TikTok's own samples show most (US, GB, FR, VN, ID, DE, ...).
REGIONS = ("US", "GB", "FR", "DE", "VN", "ID", "BR", "MX", "JP", "TR", "EG", "IN", "CA", "ES")
REGION_WEIGHTS = (24, 10, 9, 7, 8, 8, 7, 5, 4, 5, 4, 4, 3, 2)

BIO_LINES = (
    "Creator | daily videos", "cooking at home 🍝", "London based", "partners@example.org",
    "just for fun", "", "", "travel • food • life", "MC/Content Creator", "مرحبا بكم",
)  # fmt: skip
