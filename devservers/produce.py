"""What the supplier stub's greengrocer sells: produce, its category, varieties, price and packs.

Prices are a plausible wholesale-to-shop figure in euros per kilogram (or per bunch, per
piece); a pack multiplies it by the pack's quantity, a little cheaper per kilogram the bigger
the pack. Colours and shapes are for the pictures (catalog/drawing.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pack:
    label: str
    quantity: float  # in the produce's unit: kilograms, bunches or pieces


@dataclass(frozen=True)
class Produce:
    name: str
    category: str
    price: float  # per unit of `packs` (kg, bunch, piece)
    packs: str
    colour: tuple[int, int, int]
    shape: str
    varieties: tuple[str, ...]


# Each family grows by at least twice the quantity per step, so a bigger pack always costs more.
PACKS = {
    "kg": (Pack("500 g", 0.5), Pack("1 kg", 1), Pack("2 kg", 2), Pack("5 kg box", 5)),
    "grams": (Pack("100 g", 0.1), Pack("250 g", 0.25), Pack("500 g", 0.5), Pack("1 kg", 1)),
    "punnet": (
        Pack("125 g punnet", 0.125),
        Pack("250 g punnet", 0.25),
        Pack("500 g tray", 0.5),
        Pack("1 kg tray", 1),
    ),
    "mushrooms": (Pack("150 g", 0.15), Pack("300 g", 0.3), Pack("600 g", 0.6), Pack("1.5 kg box", 1.5)),
    "bunch": (Pack("bunch", 1), Pack("2 bunches", 2), Pack("5 bunches", 5), Pack("10 bunches", 10)),
    "each": (Pack("each", 1), Pack("pack of 2", 2), Pack("pack of 4", 4), Pack("box of 10", 10)),
}
# Per step up in pack size, the price per kilogram (bunch, piece) drops by this share.
BULK_DISCOUNT = 0.05

PRODUCE = (
    Produce("Apple", "Fruit", 3.20, "kg", (200, 40, 40), "round",
             ("Cox", "Braeburn", "Gala", "Bramley", "Granny Smith", "Russet", "Jazz")),
    Produce("Pear", "Fruit", 3.60, "kg", (190, 200, 70), "round", ("Conference", "Comice", "Williams", "Concorde", "Forelle")),
    Produce("Plum", "Fruit", 4.40, "kg", (110, 40, 110), "round", ("Victoria", "Opal", "Czar", "Marjorie's Seedling", "Mirabelle")),
    Produce("Cherry", "Fruit", 9.50, "punnet", (150, 10, 30), "heap", ("Kordia", "Regina", "Stella", "Sweetheart", "Morello")),
    Produce("Apricot", "Fruit", 6.80, "kg", (240, 150, 50), "round", ("Bergeron", "Tomcot", "Orangered", "Flavorcot")),
    Produce("Peach", "Fruit", 5.90, "kg", (245, 160, 110), "round", ("Flat", "White", "Yellow", "Redhaven", "Vineyard")),
    Produce("Quince", "Fruit", 4.90, "kg", (225, 200, 60), "round", ("Vranja", "Meech's Prolific", "Champion", "Portugal")),
    Produce("Fig", "Fruit", 1.10, "each", (90, 40, 80), "round", ("Brown Turkey", "Black Mission", "Kadota", "Brunswick")),
    Produce("Kiwi", "Fruit", 0.45, "each", (120, 90, 50), "round", ("Hayward", "Gold", "Red", "Baby")),
    Produce("Mango", "Fruit", 1.90, "each", (240, 170, 30), "round", ("Alphonso", "Kent", "Keitt", "Ataulfo", "Tommy Atkins")),
    Produce("Melon", "Fruit", 2.90, "each", (200, 210, 110), "round", ("Cantaloupe", "Galia", "Honeydew", "Charentais", "Piel de Sapo")),
    Produce("Grape", "Fruit", 5.60, "kg", (120, 160, 60), "heap", ("Thompson Seedless", "Red Globe", "Muscat", "Concord", "Crimson")),
    Produce("Orange", "Fruit", 2.40, "kg", (250, 140, 20), "round", ("Navel", "Valencia", "Blood", "Cara Cara", "Seville")),
    Produce("Lemon", "Fruit", 3.80, "kg", (250, 225, 40), "round", ("Amalfi", "Eureka", "Lisbon", "Meyer", "Verna")),
    Produce("Carrot", "Vegetables", 1.40, "kg", (240, 120, 20), "long", ("Nantes", "Chantenay", "Autumn King", "Purple Haze", "Rainbow")),
    Produce("Leek", "Vegetables", 2.60, "kg", (150, 190, 100), "long", ("Musselburgh", "Bleu de Solaise", "Carentan", "Autumn Giant")),
    Produce("Onion", "Vegetables", 1.30, "kg", (190, 130, 60), "round", ("Sturon", "Red Baron", "Spanish", "Setton", "Pink Roscoff")),
    Produce("Kale", "Vegetables", 1.60, "bunch", (40, 110, 50), "leafy", ("Cavolo Nero", "Curly", "Red Russian", "Redbor", "Pentland Brig")),
    Produce("Spinach", "Vegetables", 8.00, "kg", (40, 120, 40), "leafy", ("Baby", "Giant Winter", "Bloomsdale", "Matador")),
    Produce("Chard", "Vegetables", 2.20, "bunch", (160, 40, 60), "leafy", ("Rainbow", "Swiss", "Ruby", "Bright Yellow", "Fordhook")),
    Produce("Courgette", "Vegetables", 2.80, "kg", (60, 120, 40), "long", ("Defender", "Black Beauty", "Yellow", "Romanesco", "Tromboncino")),
    Produce("Aubergine", "Vegetables", 3.40, "kg", (70, 30, 80), "long", ("Black Beauty", "Graffiti", "Rosa Bianca", "Listada", "Thai")),
    Produce("Pepper", "Vegetables", 4.20, "kg", (210, 30, 30), "round", ("Red Bell", "Yellow Bell", "Romano", "Padrón", "Jalapeño")),
    Produce("Fennel", "Vegetables", 3.50, "kg", (210, 225, 170), "round", ("Florence", "Romanesco", "Finale", "Orion")),
    Produce("Radish", "Vegetables", 1.20, "bunch", (210, 40, 80), "heap", ("French Breakfast", "Cherry Belle", "Black Spanish", "Mooli", "Watermelon")),
    Produce("Parsnip", "Vegetables", 2.40, "kg", (235, 220, 170), "long", ("Gladiator", "Tender and True", "Hollow Crown", "Javelin")),
    Produce("Broccoli", "Vegetables", 3.20, "kg", (50, 110, 50), "leafy", ("Calabrese", "Purple Sprouting", "Tenderstem", "Romanesco")),
    Produce("Cauliflower", "Vegetables", 2.10, "each", (240, 235, 210), "round", ("All Year Round", "Graffiti", "Cheddar", "Romanesco")),
    Produce("Basil", "Herbs", 1.40, "bunch", (50, 140, 50), "leafy", ("Genovese", "Thai", "Purple", "Lemon", "Greek")),
    Produce("Parsley", "Herbs", 1.10, "bunch", (40, 130, 40), "leafy", ("Flat-leaf", "Curly", "Giant of Italy", "Hamburg")),
    Produce("Coriander", "Herbs", 1.10, "bunch", (60, 150, 60), "leafy", ("Calypso", "Leisure", "Slow-bolt", "Vietnamese")),
    Produce("Dill", "Herbs", 1.20, "bunch", (90, 160, 70), "leafy", ("Bouquet", "Dukat", "Fernleaf", "Mammoth")),
    Produce("Mint", "Herbs", 1.20, "bunch", (60, 160, 80), "leafy", ("Spearmint", "Peppermint", "Moroccan", "Apple", "Chocolate")),
    Produce("Thyme", "Herbs", 1.50, "bunch", (100, 130, 80), "leafy", ("Common", "Lemon", "Creeping", "Orange")),
    Produce("Rosemary", "Herbs", 1.50, "bunch", (70, 110, 80), "leafy", ("Tuscan Blue", "Miss Jessopp's", "Arp", "Severn Sea")),
    Produce("Sage", "Herbs", 1.40, "bunch", (130, 150, 120), "leafy", ("Common", "Purple", "Pineapple", "Tricolor")),
    Produce("Chives", "Herbs", 1.20, "bunch", (60, 140, 50), "long", ("Common", "Garlic", "Staro", "Polyvert")),
    Produce("Tarragon", "Herbs", 1.80, "bunch", (90, 140, 70), "leafy", ("French", "Russian", "Mexican", "Estragon")),
    Produce("Strawberry", "Berries", 8.80, "punnet", (220, 30, 50), "heap", ("Elsanta", "Malling Centenary", "Sonata", "Gariguette", "Mara des Bois")),
    Produce("Raspberry", "Berries", 16.00, "punnet", (200, 40, 80), "heap", ("Glen Ample", "Tulameen", "Autumn Bliss", "Golden", "Polka")),
    Produce("Blueberry", "Berries", 14.00, "punnet", (60, 70, 140), "heap", ("Duke", "Bluecrop", "Chandler", "Legacy", "Brigitta")),
    Produce("Blackberry", "Berries", 15.00, "punnet", (40, 20, 50), "heap", ("Loch Ness", "Chester", "Triple Crown", "Karaka Black")),
    Produce("Redcurrant", "Berries", 12.00, "punnet", (210, 20, 30), "heap", ("Jonkheer van Tets", "Rovada", "Red Lake", "Junifer")),
    Produce("Gooseberry", "Berries", 9.00, "punnet", (170, 200, 90), "heap", ("Invicta", "Hinnonmaki Red", "Careless", "Leveller")),
    Produce("Lettuce", "Salad", 0.95, "each", (120, 190, 70), "leafy", ("Little Gem", "Cos", "Butterhead", "Iceberg", "Oak Leaf", "Lollo Rosso")),
    Produce("Rocket", "Salad", 12.00, "grams", (60, 130, 50), "leafy", ("Wild", "Salad", "Dragon's Tongue", "Olive-leaf")),
    Produce("Watercress", "Salad", 1.30, "bunch", (50, 120, 50), "leafy", ("Hampshire", "Broadleaf", "Aqua", "Upland")),
    Produce("Tomato", "Salad", 3.90, "kg", (220, 40, 30), "round", ("Cherry", "Beefsteak", "San Marzano", "Heirloom", "Vine", "Plum")),
    Produce("Cucumber", "Salad", 0.80, "each", (50, 110, 40), "long", ("English", "Mini", "Lemon", "Crystal Apple", "Marketmore")),
    Produce("Celery", "Salad", 1.60, "each", (160, 200, 120), "long", ("Pascal", "Golden", "Victoria", "Tango")),
    Produce("Chestnut Mushroom", "Mushrooms", 7.50, "mushrooms", (140, 90, 60), "heap", ("Baby", "Closed Cup", "Flat", "Portobellini")),
    Produce("Oyster Mushroom", "Mushrooms", 12.00, "mushrooms", (200, 190, 170), "heap", ("Grey", "Yellow", "Pink", "King", "Blue")),
    Produce("Shiitake", "Mushrooms", 14.00, "mushrooms", (120, 70, 40), "heap", ("Donko", "Koshin", "Forest", "Flower")),
    Produce("Chanterelle", "Mushrooms", 32.00, "mushrooms", (240, 170, 50), "heap", ("Golden", "Winter", "Trumpet", "Grey")),
    Produce("Porcini", "Mushrooms", 38.00, "mushrooms", (150, 100, 60), "heap", ("Summer", "Autumn", "Pine", "Bronze")),
    Produce("Potato", "Roots", 1.10, "kg", (200, 160, 100), "round", ("Maris Piper", "King Edward", "Charlotte", "Jersey Royal", "Pink Fir Apple", "Désirée")),
    Produce("Sweet Potato", "Roots", 2.90, "kg", (200, 100, 60), "long", ("Beauregard", "Covington", "Murasaki", "Bonita")),
    Produce("Beetroot", "Roots", 1.90, "kg", (120, 20, 50), "round", ("Boltardy", "Chioggia", "Golden", "Cylindra", "Detroit")),
    Produce("Celeriac", "Roots", 2.30, "each", (210, 190, 150), "round", ("Prinz", "Monarch", "Giant Prague", "Brilliant")),
    Produce("Ginger", "Roots", 9.00, "kg", (210, 170, 110), "long", ("Chinese", "Peruvian", "Young", "Blue Hawaiian")),
    Produce("Turnip", "Roots", 1.80, "kg", (230, 220, 230), "round", ("Purple Top", "Golden Ball", "Tokyo", "Milan")),
    Produce("Jerusalem Artichoke", "Roots", 4.50, "kg", (180, 140, 100), "heap", ("Fuseau", "Dwarf Sunray", "Stampede", "Red")),
    Produce("Walnut", "Nuts", 18.00, "grams", (160, 120, 80), "heap", ("Franquette", "Chandler", "Lara", "Broadview")),
    Produce("Hazelnut", "Nuts", 16.00, "grams", (170, 110, 60), "heap", ("Tonda Gentile", "Kentish Cob", "Butler", "Barcelona")),
    Produce("Almond", "Nuts", 17.00, "grams", (190, 140, 90), "heap", ("Marcona", "Valencia", "Nonpareil", "Largueta", "Carmel")),
    Produce("Chestnut", "Nuts", 9.50, "grams", (130, 70, 40), "heap", ("Marron", "Bouche de Bétizac", "Maraval", "Marigoule")),
    Produce("Pecan", "Nuts", 24.00, "grams", (140, 80, 40), "heap", ("Desirable", "Stuart", "Pawnee", "Elliot")),
    Produce("Pistachio", "Nuts", 28.00, "grams", (150, 170, 80), "heap", ("Kerman", "Bronte", "Aegina", "Golden Hills")),
)  # fmt: skip

GROWERS = tuple(
    f"{place} {kind}"
    for place in ("Hillside", "Brookfield", "Oakwood", "Meadowbank", "Riverside", "Willowmere", "Ashgrove",
                  "Stonebridge")
    for kind in ("Farm", "Orchard", "Gardens", "Growers", "Estate", "Acres")
)  # fmt: skip
